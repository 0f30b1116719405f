# Written by hand (the §16 annual targets only): makemigrations would also have picked up changes other
# people are making to the tree at the same time.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_importjob'),
        ('workflow', '0003_history_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Target',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1900), django.core.validators.MaxValueValidator(2100)])),
                ('leads_landed', models.PositiveIntegerField()),
                ('investment_landed_cny', models.DecimalField(decimal_places=2, max_digits=18)),
                ('set_at', models.DateTimeField()),
                ('set_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='targets', to='workflow.orgunit')),
            ],
            options={
                'ordering': ['year', 'unit_id'],
                'constraints': [models.UniqueConstraint(fields=('year', 'unit'), name='target_once_per_unit_year'), models.CheckConstraint(condition=models.Q(('investment_landed_cny__gte', 0)), name='target_investment_not_negative')],
            },
        ),
    ]
