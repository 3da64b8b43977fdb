"""The ``tbounds`` command-line app: parsing and rendering only; logic lives in bounds/ and empirical/."""
