"""Staff accounts: passwords, roles and regions, what each member of staff may see, sessions, set-up
links and the second factor, sign-in throttling, and the audit log of what staff did."""
