"""The policy pack: a city's harassment policy as data.

``current()`` returns the pack in force. It is the file named by
``settings.MAMORU_POLICY_PACK`` unless an administrator has activated an
uploaded pack (see ``mamoru.policy.services``).
"""
