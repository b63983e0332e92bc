"""surrender: log weapons handed in under a surrender-and-compensation scheme."""

__version__ = "0.1.0"
