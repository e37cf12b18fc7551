"""The shared schema package: every payload that crosses a service boundary, versioned.

``skills_shared.contracts.v1`` holds the models providers answer with (as FastAPI response models) and consumers
parse what they receive into; a mismatch on the consumer side is a 502 problem naming the provider, never a
half-parsed answer passed on. Breaking changes go into a new ``v2`` package beside ``v1``.
"""
