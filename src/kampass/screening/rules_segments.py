"""Object permissions of the segments of key accounts (django-rules; loaded by ``ScreeningConfig.ready``).

* everybody signed in reads segment runs, segments and an account's segment (controllers and viewers
  included: they read everything);
* the administrator and the head of KAM recompute the segments (a new run); key account managers do not:
  the segmentation is the programme's, not one account's.
"""

from __future__ import annotations

import rules

from kampass.users.rules import is_admin, is_head

rules.add_perm("screening.view_segmentrun", rules.is_authenticated)
rules.add_perm("screening.add_segmentrun", is_admin | is_head)
