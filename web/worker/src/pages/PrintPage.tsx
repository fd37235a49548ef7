import { Button } from 'antd-mobile';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { shanghaiTime } from '../../../shared/dates.ts';
import { Failed, Loading } from '../components/states.tsx';
import { useApplication, useOrgNames, useProgramme } from '../lib/queries.ts';
import { levelNames, positionLevelNames } from '../lib/words.ts';

/**
 * 打印申请表 (R2, R11; architecture.md §7): the A4 申请表 pre-filled from the application, with boxes
 * for the employer union's stamp and signature and a QR code of its 受理号 (or, before submission,
 * its 申请编号), which the worker prints, has stamped and photographs as the `application_form` upload.
 */
export function PrintPage() {
  const { id } = useParams();
  const app = useApplication(id, false);
  const programme = useProgramme(app.data?.programmeId);
  const names = useOrgNames([app.data?.employerOrgId, app.data?.unitOrgId]);
  const [qr, setQr] = useState<string>();
  const code = app.data?.receipt ? `受理号:${app.data.receipt.sequence}` : `申请编号:${app.data?.id ?? ''}`;
  useEffect(() => {
    if (!app.data) return;
    let live = true;
    QRCode.toDataURL(`${app.data.programmeId} ${code}`, { margin: 1, width: 240 })
      .then((url) => live && setQr(url))
      .catch(() => live && setQr(undefined));
    return () => {
      live = false;
    };
  }, [app.data, code]);
  if (app.isLoading) return <Loading />;
  if (app.error || !app.data) return <Failed error={app.error} retry={() => void app.refetch()} />;
  const a = app.data;
  const rows: [string, string][] = [
    ['姓名', a.applicant.name],
    ['身份证号', a.applicant.idNumber],
    ['联系电话', a.applicant.phone],
    ['职务层级', positionLevelNames[a.applicant.positionLevel] ?? ''],
    ['是否农民工', a.applicant.migrantWorker ? '是' : '否'],
    ['工作单位', names(a.employerOrgId)],
    ['所属县（市、区）', names(a.unitOrgId)],
    ['岗位', a.jobTitle],
    ['报读院校', a.enrolment.institution],
    ['报读专业', a.enrolment.major],
    ['学历层次', levelNames[a.enrolment.level] ?? a.enrolment.level],
    ['入学日期', a.enrolment.enrolledOn],
    ['学信网验证码', a.chsiReport.verificationCode],
    ['报告有效期至', a.chsiReport.validUntil],
  ];
  return (
    <div className="w-print-page">
      <div className="w-no-print w-actions">
        <Link className="w-link-button w-link-secondary" to={`/applications/${a.id}`}>
          返回
        </Link>
        <Button size="large" color="primary" onClick={() => window.print()}>
          打印
        </Button>
      </div>
      <article className="w-sheet" aria-label="申请表">
        <header className="w-sheet-head">
          <div>
            <h2>一线职工“求学圆梦行动”补助申请表</h2>
            <p>{programme.data?.title ?? ''}</p>
            <p>
              {a.receipt ? `受理号：${a.receipt.sequence}` : '受理号：提交后生成'}　申请编号：{a.id}
            </p>
            {a.receipt ? <p>提交时间：{shanghaiTime(a.receipt.submittedAt)}</p> : null}
          </div>
          {qr ? <img className="w-qr" src={qr} alt={`二维码：${code}`} width={110} height={110} /> : null}
        </header>
        <table className="w-sheet-table">
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">专业与岗位关系</th>
              <td>{a.relevance}</td>
            </tr>
          </tbody>
        </table>
        <p className="w-sheet-pledge">本人承诺以上信息真实有效。申请人签字：＿＿＿＿＿＿　　年　月　日</p>
        <div className="w-sheet-stamps">
          <div className="w-stamp-box">
            <p>所在单位工会意见（报读须经单位同意）</p>
            <div className="w-stamp-space" />
            <p>负责人签字：　　　　　（盖章）</p>
            <p>年　　月　　日</p>
          </div>
        </div>
      </article>
    </div>
  );
}
