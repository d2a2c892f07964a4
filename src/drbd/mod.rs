//! DRBD: the `/proc/drbd` model and parser.
