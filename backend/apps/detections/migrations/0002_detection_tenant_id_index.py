"""Index (tenant_id, id) of detection_results: the feed's catch-up (`GET /api/detections`).

Without it a tenant's newest detections, or those after an id, are found by walking the
primary key past every other tenant's rows: 150 ms for a tenant next to one with a million
rows (measured on local PostgreSQL), growing with the table; with it, under 0.1 ms.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("detections", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS detection_tenant_id ON detection_results (tenant_id, id)",
            reverse_sql="DROP INDEX IF EXISTS detection_tenant_id",
        ),
    ]
