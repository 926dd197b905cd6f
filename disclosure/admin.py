# Personal-data requests are not in Django admin: the system administrator never reads residents' records.
