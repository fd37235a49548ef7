import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, List } from 'antd-mobile';
import { useDeferredValue, useState } from 'react';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { levelNames, studyModeNames } from '../lib/words.ts';
import { PickerSearch } from './PickerSearch.tsx';
import { Failed, Loading } from './states.tsx';

export type OfferingItem = Schemas['OfferingItem'];

/** 学制 2.5 年 · 学费 2,200 元/年: what a worker weighs between two offerings. */
export function offeringTerms(
  o: Pick<OfferingItem, 'level' | 'mode' | 'years'> & { tuitionFen?: number },
): string {
  return [
    levelNames[o.level] ?? o.level,
    studyModeNames[o.mode] ?? o.mode,
    `学制 ${o.years} 年`,
    ...(o.tuitionFen === undefined ? [] : [`学费 ${(o.tuitionFen / 100).toLocaleString('zh-CN')} 元/年`]),
  ].join(' · ');
}

/**
 * 选学 (R3, architecture.md §7): the programme's catalogue of partner institutions' majors offered to
 * the worker's unit at the chosen level, searched as the worker types, a page at a time.
 */
export function OfferingPicker({
  programmeId,
  unitOrgId,
  level,
  value,
  chosen,
  allowOther,
  onChange,
}: {
  programmeId: string;
  unitOrgId: string | undefined;
  level: string;
  /** The offering chosen now, if any. */
  value: string | undefined;
  /** What is chosen now, as the worker reads it; empty when nothing is. */
  chosen: string;
  /** Whether the programme lets a worker name an institution outside the catalogue (非合作院校). */
  allowOther: boolean;
  onChange: (offering: OfferingItem) => void;
}) {
  const [query, setQuery] = useState('');
  const q = useDeferredValue(query.trim());
  const list = useInfiniteQuery({
    queryKey: ['offerings', programmeId, unitOrgId, level, q],
    staleTime: 60_000,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Schemas['OfferingList']) => last.cursor,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}/offerings', {
          params: {
            path: { programmeId },
            query: {
              level: level as 'junior_college' | 'bachelor',
              limit: 20,
              ...(q ? { q } : {}),
              ...(unitOrgId ? { unitOrgId } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="w-field">
      <PickerSearch
        chosen={chosen}
        prompt="请从合作院校专业目录中选择报读专业"
        placeholder="输入院校或专业搜索"
        label="搜索院校或专业"
        query={query}
        onQuery={setQuery}
      />
      {list.isLoading ? (
        <Loading label="正在查找专业" />
      ) : list.error ? (
        <Failed error={list.error} retry={() => void list.refetch()} />
      ) : (
        <List header="合作院校专业" aria-label="合作院校专业">
          {items.length === 0 ? (
            <List.Item>
              {q
                ? '没有找到，请换个院校或专业名称'
                : allowOther
                  ? '本项目暂无该学历层次的合作院校专业，可勾选下方“我报读的院校不在目录中”后填写'
                  : '本项目暂无该学历层次的合作院校专业，请咨询所在工会'}
            </List.Item>
          ) : null}
          {items.map((o) => (
            <List.Item
              key={o.offeringId}
              arrowIcon={false}
              description={offeringTerms(o)}
              extra={o.offeringId === value ? <span className="w-chosen">已选</span> : undefined}
              onClick={() => onChange(o)}
            >
              <span>{`${o.institution.name} ${o.major}`}</span>
            </List.Item>
          ))}
        </List>
      )}
      {list.hasNextPage ? (
        <div className="w-pad">
          <Button size="small" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            加载更多
          </Button>
        </div>
      ) : null}
    </div>
  );
}
