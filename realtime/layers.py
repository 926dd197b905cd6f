"""The in-memory channel layer of a single server process (`make run`).

Channels' own layer looks through every channel and every group membership for
expired entries on each message it hands to a connection: with a few hundred
connections and one event sent to all of them, that is a few hundred times a
few hundred steps on the event loop for every alert. This one does that
housekeeping at most once a second; expiry (a minute by default) is unchanged."""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    cleanup_interval = 1.0  # seconds
    _cleaned_at = float("-inf")

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._cleaned_at < self.cleanup_interval:
            return
        self._cleaned_at = now
        super()._clean_expired()
