"""`detections_stored`: sent once per batch of newly stored detection results.

Sent inside the transaction that stored them (`sender=DetectionResult`,
`detections=[DetectionResult, ...]`, only rows stored for the first time, never a
redelivered duplicate). A receiver that writes to the database writes in the same
transaction, so it commits or rolls back with the detections (and the messages are
retried); a receiver that talks to the outside world (WebSocket push, broker) must do it
in `transaction.on_commit`, so nothing is announced that was not stored.
"""

from django.dispatch import Signal

detections_stored = Signal()
