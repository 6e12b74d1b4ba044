"""Which version of the privacy notice residents accept (a module of its own: many read it)."""

from __future__ import annotations

# Bump when the privacy notice's substance changes; residents who consented to an
# older version are asked again (see handlers/start.py). 2: volunteers' phone numbers
# and feedback. 3: erasure after a year without use, and the data as a file. 4: hosts
# from boards and partners see who comes to their activity; sign-ups and data requests
# by phone or at the office.
PRIVACY_NOTICE_VERSION = 4
