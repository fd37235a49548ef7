import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { stateMachineArnVariables } from '../../shared/adapters/workflows.ts';
import {
  type Asl,
  type FunctionArns,
  taskStates,
  type WorkflowFunction,
  type WorkflowName,
  workflowFunctions,
  workflowFunctionTimeoutSeconds,
} from '../../shared/workflows/asl.ts';
import { workflowDefinitions, workflowFunctionsInUse } from '../../shared/workflows/index.ts';
import { AppFunction } from './app-function.ts';
import type { DataStore } from './data-store.ts';
import { acknowledge, attRef } from './nag.ts';
import { functionEntry } from './paths.ts';

export interface WorkflowsProps {
  data: DataStore;
  bundleAwsSdk: boolean;
}

/**
 * The workflows a task function starts itself: the calendar hands over to its successor before
 * the one-year limit and starts each closed batch's payout run.
 */
const startedByTasks: Partial<
  Record<
    WorkflowFunction,
    readonly { workflows: readonly WorkflowName[]; actions: readonly ExecutionAction[] }[]
  >
> = {
  calendar: [
    // A hand-over starts the successor and stops it again when another execution took over.
    { workflows: ['calendar'], actions: ['states:StartExecution', 'states:StopExecution'] },
    // A closed batch's payout run is started, never stopped or looked up.
    { workflows: ['payout-run'], actions: ['states:StartExecution'] },
  ],
};

/** What a function may do with a workflow's executions. */
export type ExecutionAction = 'states:StartExecution' | 'states:StopExecution' | 'states:DescribeExecution';

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase());

/** `${calendar}` in the definition, replaced by CloudFormation with the function's ARN. */
const substitutionArns = Object.fromEntries(workflowFunctions.map((fn) => [fn, `\${${fn}}`])) as FunctionArns;

/**
 * The Step Functions state machines of architecture.md §4 and the Lambda functions behind their Task states:
 * one Standard state machine per entry of `workflowDefinitions` — the very definition the local
 * runner executes, its Task resources filled in by `DefinitionSubstitutions` — and one function per
 * task function those definitions call (`functions/<name>.ts`). A workflow without an entry there
 * (still being written) gets nothing.
 *
 * State machines have fixed names (`{stack}-{workflow}`), so that a function may be told and granted a
 * state machine's ARN without referring to it: the calendar function starts its own state machine,
 * which calls the calendar function — a reference cycle CloudFormation would refuse.
 */
export class Workflows extends Construct {
  private readonly definitions: Partial<Record<WorkflowName, Asl>>;
  private readonly functions = new Map<WorkflowFunction, AppFunction>();
  private readonly machines = new Map<WorkflowName, StateMachine>();

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const { data } = props;
    this.definitions = workflowDefinitions(substitutionArns);

    for (const fn of workflowFunctionsInUse()) {
      const task = new AppFunction(this, `${pascal(fn)}Function`, {
        entry: functionEntry(fn),
        description: `edu-subsidy workflow tasks: ${fn}`,
        bundleAwsSdk: props.bundleAwsSdk,
        environment: data.functionEnvironment(),
        // As long as the Task state may wait for it: a Lambda timeout never outlives its Task.
        timeout: Duration.seconds(
          workflowFunctionTimeoutSeconds(Object.values(this.definitions), substitutionArns[fn]),
        ),
      });
      data.grantTableReadWrite(task.function);
      // Payout runs decrypt workers' account numbers into the bank batch files they write
      // (bank-file rail: KMS Decrypt, S3 PutObject); they never encrypt, hash or read a file back.
      // The calendar works through the table and its executions only.
      if (fn === 'payouts') {
        data.grantFieldEncryption(task.function, ['decrypt']);
        data.grantPayoutFilesReadWrite(task.function, ['s3:PutObject']);
      }
      this.functions.set(fn, task);
    }
    for (const [fn, grants] of Object.entries(startedByTasks) as [
      WorkflowFunction,
      { workflows: WorkflowName[]; actions: ExecutionAction[] }[],
    ][]) {
      const task = this.functions.get(fn);
      if (task) for (const grant of grants) this.grantExecutions(task, grant.workflows, grant.actions);
    }

    for (const workflow of this.names()) {
      const definition = this.definitions[workflow] as Asl;
      const used = this.functionsOf(definition);
      const logGroup = new LogGroup(this, `${pascal(workflow)}Logs`, {
        // Six months, as for the functions: the PRC Cybersecurity Law (art. 21).
        retention: RetentionDays.SIX_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const machine = new StateMachine(this, `${pascal(workflow)}StateMachine`, {
        stateMachineName: this.machineName(workflow),
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
        definitionSubstitutions: Object.fromEntries(
          used.map((fn) => [fn, (this.functions.get(fn) as AppFunction).function.functionArn]),
        ),
        // Every event, never its data: inputs and outputs carry application ids and amounts.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      const findings = ['Resource::*'];
      for (const fn of used) {
        const task = this.functions.get(fn) as AppFunction;
        task.function.grantInvoke(machine);
        findings.push(`Resource::${attRef(task.function)}:*`);
      }
      acknowledge(
        machine,
        'IAM5',
        'Step Functions may invoke every version of its own task functions (grantInvoke adds <arn>:*); ' +
          'CloudWatch Logs delivery and X-Ray trace APIs have no resource-level permissions, so they take "*".',
        findings,
      );
      this.machines.set(workflow, machine);
    }
  }

  /** The workflows deployed, in `workflowDefinitions` order. */
  names(): WorkflowName[] {
    return (Object.keys(this.definitions) as WorkflowName[]).filter((name) => this.definitions[name]);
  }

  stateMachine(workflow: WorkflowName): StateMachine | undefined {
    return this.machines.get(workflow);
  }

  /** The function serving a workflow's Task states, if the registry has one. */
  taskFunction(fn: WorkflowFunction): AppFunction | undefined {
    return this.functions.get(fn);
  }

  taskFunctions(): [WorkflowFunction, AppFunction][] {
    return [...this.functions.entries()];
  }

  /** A deployed workflow's ARN, built from its fixed name (no reference to the state machine). */
  arn(workflow: WorkflowName): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: this.machineName(workflow),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * Lets a function start executions of the given workflows (those deployed) and, when `actions`
   * names them, stop and look up their executions; tells it their ARNs in the variables
   * `workflowStarter` reads. Grant what the function's code calls: `start`, `stop`, `status`.
   */
  grantExecutions(
    fn: AppFunction,
    workflows: readonly WorkflowName[] = this.names(),
    actions: readonly ExecutionAction[] = [
      'states:StartExecution',
      'states:StopExecution',
      'states:DescribeExecution',
    ],
  ): void {
    const deployed = workflows.filter((w) => this.definitions[w]);
    if (deployed.length === 0) return;
    for (const workflow of deployed)
      fn.function.addEnvironment(stateMachineArnVariables[workflow], this.arn(workflow));
    const stack = Stack.of(this);
    const executions = deployed.map((workflow) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${this.machineName(workflow)}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    const grantee: IGrantable = fn.function;
    if (actions.includes('states:StartExecution')) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:StartExecution'],
          resources: deployed.map((w) => this.arn(w)),
        }),
      );
    }
    const onExecutions = actions.filter((a) => a !== 'states:StartExecution');
    if (onExecutions.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: onExecutions, resources: executions }),
    );
    acknowledge(
      fn.role,
      'IAM5',
      'Execution names are chosen at run time (programme id and a digest of its dates); the grant is ' +
        'limited to the executions of these state machines.',
      deployed.map(
        (w) =>
          `Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${this.machineName(w)}:*`,
      ),
    );
  }

  private machineName(workflow: WorkflowName): string {
    return `${Stack.of(this).stackName}-${workflow}`;
  }

  private functionsOf(definition: Asl): WorkflowFunction[] {
    const resources = new Set(taskStates(definition).map((t) => t.resource));
    return workflowFunctions.filter((fn) => resources.has(substitutionArns[fn]));
  }
}
