"""Pushing events to browsers (Django Channels).

Services call ``publish_on_commit``; the consumer in ``realtime.consumers``
delivers to each connected user, re-checking permission per message.
"""
