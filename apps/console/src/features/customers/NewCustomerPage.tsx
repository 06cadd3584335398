import { api, call } from '../../api/client';
import { navigate } from '../../app/router';
import { PageHeader } from '../../ui/feedback';
import { useNotify } from '../../ui/notices';
import { CustomerForm } from './CustomerForm';

export function NewCustomerPage() {
  const notify = useNotify();
  return (
    <>
      <PageHeader title="New customer" />
      <section className="panel narrow">
        <CustomerForm
          submitLabel="Create customer"
          onCancel={() => navigate('/customers')}
          onSubmit={async (body) => {
            const created = await call(api.POST('/v1/customers', { body }));
            notify(`Customer “${created.name}” created.`);
            navigate(`/customers/${created.id}`, { replace: true });
          }}
        />
      </section>
    </>
  );
}
