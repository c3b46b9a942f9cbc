"""The ``kg`` command line: the one edge that may import kg, api and viz."""
