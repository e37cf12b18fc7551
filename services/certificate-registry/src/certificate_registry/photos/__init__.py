"""Holder photos: the 2-inch photo printed on every certificate of a holder (CR-5), kept in an object store."""
