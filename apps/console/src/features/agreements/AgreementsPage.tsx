import { api, call, type Schemas } from '../../api/client';
import { Link, navigate, useLocation, withQuery } from '../../app/router';
import { type Column, DataTable } from '../../ui/DataTable';
import { EmptyState, PageHeader, StatusBadge } from '../../ui/feedback';
import { SelectField } from '../../ui/fields';
import { formatDateTime } from '../../ui/format';
import { usePagedList } from '../../ui/hooks';
import { CustomerName } from '../names';

type AgreementDto = Schemas['AgreementDto'];
type Status = AgreementDto['status'];
export const AGREEMENT_STATUSES: { value: Status; label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'suspended', label: 'Suspended (relay stopped)' },
  { value: 'revoked', label: 'Revoked' },
  { value: 'superseded', label: 'Superseded' },
];

/** Signed agreements, by status; `?customerId=` shows one customer's history. */
export function AgreementsPage() {
  const { query } = useLocation();
  const status = (query.get('status') ?? '') as Status | '';
  const customerId = query.get('customerId') ?? '';
  const list = usePagedList(
    (cursor) => call(api.GET('/v1/agreements', { params: { query: { cursor, limit: 25, status: status || undefined, customerId: customerId || undefined } } })),
    `${status}|${customerId}`,
  );
  const columns: Column<AgreementDto>[] = [
    { header: 'Customer', cell: (a) => <CustomerName id={a.customerId} /> },
    { header: 'Status', cell: (a) => <Link to={`/agreements/${a.id}`}><StatusBadge status={a.status} /></Link> },
    { header: 'Signed by', cell: (a) => <Link to={`/agreements/${a.id}`}>{a.signerName}</Link> },
    { header: 'Signed', cell: (a) => formatDateTime(a.signedAt), className: 'nowrap' },
    { header: 'Why (last change)', cell: (a) => a.statusReason ?? <span className="muted">—</span> },
  ];
  return (
    <>
      <PageHeader title="Agreements" subtitle={customerId ? <>Of <CustomerName id={customerId} /> · <Link to="/agreements">all agreements</Link></> : 'Signed no-spam agreements: they decide who may send mail to other domains.'} />
      <form className="filters filters-inline" aria-label="Filter agreements" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Status" name="status" value={status} onChange={(e) => navigate(withQuery('/agreements', { status: e.target.value, customerId }))}>
          <option value="">All</option>
          {AGREEMENT_STATUSES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </SelectField>
      </form>
      <DataTable caption="Agreements" columns={columns} list={list} empty={<EmptyState title={status ? `No ${status} agreements.` : 'No agreement has been signed yet.'} />} />
    </>
  );
}
