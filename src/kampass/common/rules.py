"""Permissions on the shared plumbing (django-rules): who may read the exchange rates an administrator loaded."""

from __future__ import annotations

import rules

from kampass.users.rules import is_admin, is_controller, is_head

# the loaded rates (the group treasury's, say) are the finance side's: administrators, the head of KAM and
# controllers read them; loading and deleting them stays the administrator's (CLI and admin site)
rules.add_perm("common.view_loaded_rates", is_admin | is_head | is_controller)
