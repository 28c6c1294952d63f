"""Celery tasks of evidence export."""

from celery import shared_task

from apps.evidence.services import export_run


@shared_task(acks_late=True, ignore_result=True)
def export_run_task(job_id: str) -> None:
    """Run one export; every outcome, failure included, is recorded on the job."""
    export_run(job_id=job_id)
