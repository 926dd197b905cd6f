"""No admin for repetition flags: they name residents, and the system administrator never
sees residents (issue 13, A2). Flags are read and decided on their own pages."""
