"""Reference integer steps in plain Python integers, for the tests of the exact step functions."""


def ceil_log2(x: int) -> int:
    return (x - 1).bit_length()


def ceil_log3(x: int) -> int:
    k = 0
    while 3 ** k < x:
        k += 1
    return k
