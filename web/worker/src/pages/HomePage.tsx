import { Button, Card, List, Tag } from 'antd-mobile';
import { Link, useNavigate } from 'react-router';
import { shanghaiDate } from '../../../../shared/domain/dates.ts';
import { beginSignIn } from '../../../shared/auth.ts';
import { Failed, Loading } from '../components/states.tsx';
import { useProgramme, useProgrammes, useProgrammesLoading, useQuotas } from '../lib/queries.ts';

/**
 * Home (architecture.md §7): the programmes open today with their windows, the places left in each
 * unit from the live board, and whom to call (R16).
 */
export function HomePage({ signedIn }: { signedIn: boolean }) {
  const programmes = useProgrammes();
  // The pure date rule, not dayjs: the home page is the first load on a slow network.
  const today = shanghaiDate(new Date());
  const items = programmes.data?.programmes ?? [];
  const open = items.filter(
    (p) => p.applicationWindow.opensOn <= today && today <= p.applicationWindow.closesOn,
  );
  // One paint for the open programmes' cards and what is under them: a card arriving after the list
  // of other programmes would push that list down under the worker's thumb.
  const cardsLoading = useProgrammesLoading(open.map((p) => p.id));
  if (programmes.isLoading || cardsLoading) return <Loading />;
  if (programmes.error) return <Failed error={programmes.error} retry={() => void programmes.refetch()} />;
  return (
    <>
      <h2 className="w-title">补助项目</h2>
      {signedIn ? (
        <div className="w-pad">
          <Link to="/applications" className="w-link-button">
            我的申请
          </Link>
        </div>
      ) : null}
      {open.length === 0 ? <p className="w-pad w-muted">目前没有正在受理申请的项目。</p> : null}
      {open.map((p) => (
        <ProgrammeCard key={p.id} programmeId={p.id} signedIn={signedIn} />
      ))}
      {items.length > open.length ? (
        <List header="其他项目">
          {items
            .filter((p) => !open.includes(p))
            .map((p) => (
              <List.Item
                key={p.id}
                description={`申请时间 ${p.applicationWindow.opensOn} 至 ${p.applicationWindow.closesOn}（不在受理期）`}
              >
                {p.title}
              </List.Item>
            ))}
        </List>
      ) : null}
    </>
  );
}

function ProgrammeCard({ programmeId, signedIn }: { programmeId: string; signedIn: boolean }) {
  const navigate = useNavigate();
  const programme = useProgramme(programmeId);
  const quotas = useQuotas(programmeId);
  // Rendered once its terms and board are in (`useProgrammesLoading` in the page): one paint.
  if (programme.error || !programme.data)
    return <Failed error={programme.error} retry={() => void programme.refetch()} />;
  const p = programme.data;
  const apply = () => {
    const to = `/apply/${p.id}`;
    if (signedIn) navigate(to);
    else void beginSignIn(`/m${to}`);
  };
  return (
    <section aria-labelledby={`p-${p.id}`} className="w-section">
      <Card>
        <h3 id={`p-${p.id}`} className="w-card-title">
          {p.title}
        </h3>
        <p className="w-muted">
          申请时间 {p.applicationWindow.opensOn} 至 {p.applicationWindow.closesOn}
        </p>
        <p className="w-muted">
          审核批次：
          {p.reviewBatches.map((b) => `${b.opensOn} 至 ${b.closesOn}`).join('；')}
        </p>
        <Button block color="primary" size="large" onClick={apply}>
          我要申请
        </Button>
      </Card>
      <h4 className="w-subtitle">各单位剩余名额</h4>
      {quotas.error ? (
        <Failed error={quotas.error} retry={() => void quotas.refetch()} />
      ) : (
        <List aria-label="各单位剩余名额">
          {quotas.data?.units.map((u) => {
            const left = Math.max(0, u.places - u.claimed);
            return (
              <List.Item
                key={u.unitOrgId}
                extra={
                  left > 0 ? (
                    <Tag color="success">剩余 {left} 个</Tag>
                  ) : (
                    <Tag color="warning">已满，候补 {u.waitlisted} 人</Tag>
                  )
                }
                description={`共 ${u.places} 个名额，已占 ${u.claimed} 个`}
              >
                {u.name}
              </List.Item>
            );
          })}
        </List>
      )}
      {p.contacts ? (
        <div className="w-contacts">
          <h4 className="w-subtitle">咨询电话</h4>
          {p.contacts.hotline ? (
            <p>
              热线：<a href={`tel:${p.contacts.hotline}`}>{p.contacts.hotline}</a>
            </p>
          ) : null}
          {p.contacts.people.map((c) => (
            <p key={`${c.name}-${c.phone}`}>
              {c.role ? `${c.role} ` : ''}
              {c.name}：<a href={`tel:${c.phone}`}>{c.phone}</a>
            </p>
          ))}
        </div>
      ) : null}
    </section>
  );
}
