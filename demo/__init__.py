"""Demo data for mamoru: a made-up 大田原市 city hall with departments, staff,
residents and a year of contact records (``python manage.py seed_demo``).

Plain Python around the services: ``names`` and ``phrases`` hold the Japanese
material, ``compose`` turns it into contact records, ``generator`` loads them.
Every person, address, phone number and incident in it is invented.
"""
