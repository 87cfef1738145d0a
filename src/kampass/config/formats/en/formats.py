"""English date and time formats: unambiguous day-month order and a 24-hour clock.

Django's English defaults print ``12/05/2026 12:50 a.m.`` (month first, which half of the world
reads as 12 May); kampass is used across Europe, so English pages say ``5 Dec 2026, 00:50``.
Templates use ``|date:"SHORT_DATETIME_FORMAT"`` and friends, which read these. German keeps
Django's own formats (``05.12.2026 00:50``). Input formats stay Django's (ISO first).
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
