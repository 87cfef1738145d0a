"""Segments of key accounts: runs of the grouping of key accounts by needs and behaviour
(:mod:`kampass.core.screening.segments`), each with its segments, their profiles and members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SegmentRun(models.Model):
    """One grouping of the key accounts into segments, computed from kampass's facts at ``computed_at``
    (purchases of the twelve months up to ``as_of`` and the twelve before them for growth). ``k`` is the
    number of segments chosen by the best mean ``silhouette`` (``None`` when only one group was possible);
    ``silhouettes`` keeps the silhouette of every ``k`` tried, ``features`` the names of the features used.
    Runs are kept: the newest is the current segmentation, older ones show how it changed."""

    computed_at = models.DateTimeField(_("computed at"), db_index=True)
    as_of = models.DateField(_("facts up to"))
    k = models.PositiveSmallIntegerField(_("number of segments"))
    silhouette = models.FloatField(_("silhouette"), null=True, blank=True)
    silhouettes = models.JSONField(_("silhouette per k"), default=dict, blank=True)
    features = models.JSONField(_("features"), default=list, blank=True)
    accounts = models.PositiveIntegerField(_("accounts"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("computed by"),
    )

    class Meta:
        verbose_name = _("segment run")
        verbose_name_plural = _("segment runs")
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M} (k={self.k})"


class Segment(models.Model):
    """A group of key accounts with similar needs and behaviour in one run. ``profile`` lists the
    features that set it apart most: ``[{"feature", "z", "mean"}]`` (``z`` the members' mean z-score, i.e.
    standard deviations from all key accounts; ``mean`` the members' mean raw value); ``description_en`` and
    ``description_de`` say it in plain words."""

    run = models.ForeignKey(SegmentRun, on_delete=models.CASCADE, related_name="segments", verbose_name=_("run"))
    number = models.PositiveSmallIntegerField(_("number"))
    size = models.PositiveIntegerField(_("accounts"))
    profile = models.JSONField(_("profile"), default=list, blank=True)
    description_en = models.CharField(_("profile (English)"), max_length=500, blank=True)
    description_de = models.CharField(_("profile (German)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="screening_segment_run_number")]

    def __str__(self) -> str:
        return f"{_('Segment')} {self.number}"

    def description(self, lang: str) -> str:
        return self.description_de if lang == "de" else self.description_en


class SegmentMembership(models.Model):
    """That a key account belonged to a segment in a run (one segment per account and run)."""

    run = models.ForeignKey(SegmentRun, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("run"))
    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("segment")
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="segment_memberships", verbose_name=_("account")
    )

    class Meta:
        verbose_name = _("segment membership")
        verbose_name_plural = _("segment memberships")
        constraints = [models.UniqueConstraint(fields=["run", "account"], name="screening_membership_run_account")]

    def __str__(self) -> str:
        return f"{self.account_id} -> {self.segment_id}"
