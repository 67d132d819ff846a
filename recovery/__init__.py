"""recovery: self-hosted revenue recovery for Amazon Vendor (1P) suppliers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("recovery")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
