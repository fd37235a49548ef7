import { useQueries, useQuery } from '@tanstack/react-query';
import { Button, List } from 'antd-mobile';
import { useDeferredValue, useState } from 'react';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { useOrgNames } from '../lib/queries.ts';
import { PickerSearch } from './PickerSearch.tsx';
import { Failed, Loading } from './states.tsx';

type Org = Pick<Schemas['Org'], 'id' | 'name'>;

function useChildren(orgIds: readonly string[]) {
  return useQueries({
    queries: orgIds.map((orgId) => ({
      queryKey: ['org-children', orgId],
      staleTime: 5 * 60_000,
      queryFn: () => unwrap(api.GET('/v1/orgs/{orgId}/children', { params: { path: { orgId } } })),
    })),
  });
}

/**
 * The employer (企业工会) of an application (architecture.md §7): found by typing part of its name, or
 * by walking the tree from the programme's units (county → township → enterprise).
 */
export function EmployerPicker({
  programmeId,
  units,
  value,
  valueName,
  onChange,
  disabled,
}: {
  programmeId: string;
  units: { unitOrgId: string; name: string }[];
  value: string | undefined;
  valueName: string | undefined;
  /** The enterprise chosen, with the unit it counts in (R5). */
  onChange: (org: Org & { unitOrgId: string }) => void;
  disabled?: boolean;
}) {
  const [query, setQuery] = useState('');
  const [trail, setTrail] = useState<{ id: string; name: string }[]>([]);
  // One request on the server per (settled) search text, not a walk of the tree from the phone.
  const q = useDeferredValue(query.trim());
  const search = useQuery({
    queryKey: ['employers', programmeId, q],
    enabled: q.length > 0,
    staleTime: 60_000,
    queryFn: () =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}/employers', {
          params: { path: { programmeId }, query: { q } },
        }),
      ),
  });
  const here = trail.at(-1);
  const hereChildren = useChildren(here ? [here.id] : []);
  // A resumed form or draft knows the employer by id only: its name is looked up.
  const nameOf = useOrgNames(valueName ? [] : [value]);
  const chosen = valueName ?? nameOf(value);

  if (disabled) {
    return <p className="w-pad">所在单位：{chosen}（被退回的申请不能更换所在单位）</p>;
  }
  const matches = search.data?.items ?? [];
  const pick = (o: Org, unitOrgId: string) => {
    onChange({ id: o.id, name: o.name, unitOrgId });
    setQuery('');
  };
  return (
    <div>
      <PickerSearch
        chosen={value ? chosen : ''}
        prompt="请选择您所在的企业（单位）工会"
        placeholder="输入单位名称搜索"
        label="搜索工作单位"
        query={query}
        onQuery={setQuery}
      />
      {q ? (
        search.isLoading ? (
          <Loading label="正在查找单位" />
        ) : search.error ? (
          <Failed error={search.error} retry={() => void search.refetch()} />
        ) : (
          <List header="搜索结果" aria-label="搜索结果">
            {matches.length === 0 ? <List.Item>没有找到，请换个名称或按地区查找</List.Item> : null}
            {matches.map((o) => (
              <List.Item key={o.id} onClick={() => pick(o, o.unitOrgId)} arrowIcon={false}>
                {o.name}
              </List.Item>
            ))}
          </List>
        )
      ) : (
        <>
          <nav aria-label="按地区查找" className="w-pad w-trail">
            <Button size="small" fill="none" onClick={() => setTrail([])}>
              全部地区
            </Button>
            {trail.map((t, i) => (
              <Button key={t.id} size="small" fill="none" onClick={() => setTrail(trail.slice(0, i + 1))}>
                › {t.name}
              </Button>
            ))}
          </nav>
          {here ? (
            hereChildren[0]?.isLoading ? (
              <Loading />
            ) : (
              <List aria-label={`${here.name}下的单位`}>
                {(hereChildren[0]?.data?.children ?? []).length === 0 ? (
                  <List.Item>这里还没有注册的单位</List.Item>
                ) : null}
                {(hereChildren[0]?.data?.children ?? []).map((o) =>
                  o.kind === 'enterprise' ? (
                    <List.Item key={o.id} onClick={() => pick(o, trail[0]?.id ?? '')} arrowIcon={false}>
                      {o.name}
                    </List.Item>
                  ) : (
                    <List.Item key={o.id} onClick={() => setTrail([...trail, { id: o.id, name: o.name }])}>
                      {o.name}
                    </List.Item>
                  ),
                )}
              </List>
            )
          ) : (
            <List aria-label="县（市、区）">
              {units.map((u) => (
                <List.Item key={u.unitOrgId} onClick={() => setTrail([{ id: u.unitOrgId, name: u.name }])}>
                  {u.name}
                </List.Item>
              ))}
            </List>
          )}
        </>
      )}
    </div>
  );
}
