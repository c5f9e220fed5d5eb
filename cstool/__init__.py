"""cstool: customer-service routines (客服) over one SQLite journal."""

__version__ = "0.1.0"
