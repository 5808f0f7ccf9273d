"""``python -m vernier``: the ``vernier`` command line (see :mod:`vernier.cli`)."""
from .cli import console

if __name__ == "__main__":
    console()
