"""The small library every mysite service shares.

Only what all services do the same way lives here; services never import each other.
"""
