from tests.fakes.fixtures import fast_outbox  # noqa: F401 - fixture for the adoption notices
