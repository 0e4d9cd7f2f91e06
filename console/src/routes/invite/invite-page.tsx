import { PageHeader } from '../../components/page';

export function InvitePage() {
  return <PageHeader title="Invite" />;
}
