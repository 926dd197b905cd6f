"""No admin for letters: templates are edited on their own page (with placeholder
checks and an audit entry) and issued letters are never changed."""
