"""The back office's own face: Wagtail's screens in the county's name and in Chinese.

Template overrides (login page, sidebar, page titles, dashboard welcome), hooks that drop
Wagtail's links to its own website (what's new, editor guide: unreachable from a government
intranet), and the login form's Chinese labels. Wagtail's missing Chinese strings are filled by
the catalogue in ``govhub/locale``.
"""
