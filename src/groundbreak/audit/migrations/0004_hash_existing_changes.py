"""Chain the changes recorded before the chain existed, in the order they were written (id)."""

from django.db import migrations

BATCH = 1000


def chain_existing(apps, schema_editor):
    # The hash format is fixed (a changed format would break every chain already written), so the
    # migration may use the same function as the running code.
    from groundbreak.audit.chain import GENESIS, link_hash

    db = schema_editor.connection.alias
    ObjectChange = apps.get_model("audit", "ObjectChange")
    ChainHead = apps.get_model("audit", "ChainHead")
    ContentType = apps.get_model("contenttypes", "ContentType")
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.using(db).all()}

    prev_hash, seq, last_id, batch = GENESIS, 0, 0, []
    for entry in ObjectChange.objects.using(db).order_by("id").iterator(chunk_size=BATCH):
        seq += 1
        entry.seq, entry.prev_hash = seq, prev_hash
        entry.hash = link_hash(
            prev_hash,
            {
                "seq": seq,
                "id": entry.id,
                "time": entry.time,
                "actor_id": entry.actor_id,
                "actor_name": entry.actor_name,
                "source": entry.source,
                "request_id": entry.request_id,
                "action": entry.action,
                "kind": entry.kind,
                "content_type": labels.get(entry.content_type_id, ""),
                "object_id": entry.object_id,
                "object_repr": entry.object_repr,
                "parent_content_type": labels.get(entry.parent_content_type_id, ""),
                "parent_object_id": entry.parent_object_id,
                "changes": entry.changes,
            },
        )
        prev_hash, last_id = entry.hash, entry.id
        batch.append(entry)
        if len(batch) >= BATCH:
            ObjectChange.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    if batch:
        ObjectChange.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
    ChainHead.objects.using(db).update_or_create(pk=1, defaults={"seq": seq, "hash": prev_hash, "last_id": last_id})


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_hash_chain"),
    ]

    operations = [
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False),
    ]
