
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('planning', '0006_plan_template_sections'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PlanExportJob',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('fmt', models.CharField(max_length=8, verbose_name='format')),
                ('lang', models.CharField(default='en', max_length=2, verbose_name='language')),
                ('summary', models.BooleanField(default=False, verbose_name='one-page summary')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=20, verbose_name='status')),
                ('progress', models.FloatField(default=0.0, verbose_name='progress')),
                ('file_path', models.CharField(blank=True, max_length=500, verbose_name='stored file')),
                ('filename', models.CharField(blank=True, max_length=255, verbose_name='file name')),
                ('content_type', models.CharField(blank=True, max_length=120, verbose_name='media type')),
                ('size', models.PositiveIntegerField(default=0, verbose_name='size in bytes')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='planning.accountplan', verbose_name='plan')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'plan export',
                'verbose_name_plural': 'plan exports',
                'ordering': ['-created_at'],
            },
        ),
    ]
