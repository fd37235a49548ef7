import { useQuery } from '@tanstack/react-query';
import { Alert, Select, Space } from 'antd';
import { createContext, type ReactNode, useContext, useState } from 'react';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';

type Summary = Schemas['ProgrammeSummary'];
interface Choice {
  programmeId: string | undefined;
  programme: Summary | undefined;
  programmes: Summary[];
  loading: boolean;
  error: Error | null;
  choose: (id: string) => void;
}

const ProgrammeContext = createContext<Choice | undefined>(undefined);

/** The programme every page works on, chosen once and kept while moving between pages. */
export function ProgrammeProvider({ children }: { children: ReactNode }) {
  const list = useQuery({ queryKey: ['programmes'], queryFn: () => unwrap(api.GET('/v1/programmes')) });
  const [chosen, choose] = useState<string | undefined>(
    () => new URLSearchParams(location.search).get('programme') ?? undefined,
  );
  const programmes = list.data?.programmes ?? [];
  const programmeId = chosen ?? programmes[0]?.id;
  return (
    <ProgrammeContext.Provider
      value={{
        programmeId,
        programme: programmes.find((p) => p.id === programmeId),
        programmes,
        loading: list.isLoading,
        error: list.error,
        choose,
      }}
    >
      {children}
    </ProgrammeContext.Provider>
  );
}

export function useProgramme(): Choice {
  const choice = useContext(ProgrammeContext);
  if (!choice) throw new Error('useProgramme outside ProgrammeProvider');
  return choice;
}

/** 项目: the programme selector at the top of each page. */
export function ProgrammePicker() {
  const { programmeId, programmes, loading, error, choose } = useProgramme();
  return (
    <Space wrap>
      <label htmlFor="programme-select">项目</label>
      <Select
        id="programme-select"
        style={{ minWidth: 280 }}
        loading={loading}
        value={programmeId}
        onChange={choose}
        options={programmes.map((p) => ({ value: p.id, label: p.title }))}
        notFoundContent="暂无项目"
      />
      {error && <Alert type="error" title={error.message} showIcon />}
    </Space>
  );
}
