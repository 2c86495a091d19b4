"""What the law asks of what is kept: retention and its purge, legal holds, subject access, rotation
of the data key."""
