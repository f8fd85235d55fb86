# "approved" is never stored (approval erases at once): drop it from the choices and
# from the one-open-request constraint. Reversible; no row changes.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pii', '0002_search_tokens_gin'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='deletionrequest',
            name='one_open_deletion_request_per_profile',
        ),
        migrations.AlterField(
            model_name='deletionrequest',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending review'), ('rejected', 'Rejected'), ('executed', 'Executed (profile erased)')], default='pending', max_length=16),
        ),
        migrations.AddConstraint(
            model_name='deletionrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'executed'])), fields=('profile_ref',), name='one_open_deletion_request_per_profile'),
        ),
    ]
