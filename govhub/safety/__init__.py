"""Content safety (内容安全): one checker for wording errors, typos, personal data and links.

Publishing (before publication), the matrix (the nightly sweep over every account's posts),
the portal and citizens' messages call it through ``govhub.safety.checker``. This app sits just
above ``core`` and imports nothing else of govhub.
"""
