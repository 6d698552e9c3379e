"""tracetui: explore HTTP traces between OpenStack services in the terminal."""

__version__ = "0.1.0"
