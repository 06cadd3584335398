import { api, call, type Schemas } from '../../api/client';
import { useMay } from '../../app/caller';
import { Link, navigate } from '../../app/router';
import { Button } from '../../ui/Button';
import { type Column, DataTable } from '../../ui/DataTable';
import { EmptyState, PageHeader, StatusBadge } from '../../ui/feedback';
import { formatDateTime } from '../../ui/format';
import { usePagedList } from '../../ui/hooks';

type VersionDto = Schemas['AgreementVersionDto'];

/** The no-spam agreement's versions: drafts being written and published (numbered, never changed again). */
export function VersionsPage() {
  const mayWrite = useMay('agreements:write');
  const list = usePagedList((cursor) => call(api.GET('/v1/agreement-versions', { params: { query: { cursor, limit: 25 } } })), 'all');
  const columns: Column<VersionDto>[] = [
    { header: 'Title', cell: (v) => <Link to={`/agreement-versions/${v.id}`}>{v.title}</Link> },
    { header: 'Version', cell: (v) => (v.number === null ? <span className="muted">draft</span> : `#${v.number}`) },
    { header: 'Status', cell: (v) => <StatusBadge status={v.status === 'published' ? 'active' : 'draft'} label={v.status} /> },
    { header: 'Published', cell: (v) => formatDateTime(v.publishedAt), className: 'nowrap' },
    { header: 'Limits', cell: (v) => `${v.limits.messagesPerHour}/h · ${v.limits.recipientsPerDay}/day · ${v.limits.recipientsPerMessage}/message` },
  ];
  return (
    <>
      <PageHeader
        title="Agreement terms"
        subtitle="Customers sign the newest published version; each published text is kept unchanged with its SHA-256."
        actions={
          mayWrite && (
            <Button variant="primary" onClick={() => navigate('/agreement-versions/new')}>
              Write a new version
            </Button>
          )
        }
      />
      <DataTable caption="Agreement versions" columns={columns} list={list} empty={<EmptyState title="No terms written yet.">{mayWrite && <p>Write the first version, then publish it.</p>}</EmptyState>} />
    </>
  );
}
