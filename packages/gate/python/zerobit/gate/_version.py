# The one place the Python SDK's version is written: pyproject.toml and the User-Agent both read it.
__version__ = "0.1.0"
