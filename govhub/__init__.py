"""govhub: one platform for a local government's portal, new-media accounts, letters and supervision."""

__version__ = "0.1.0"
