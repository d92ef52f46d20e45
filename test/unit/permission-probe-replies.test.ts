// What EngineCommands.mayRun makes of each reply to a permission probe. The probe is a form Redis
// refuses inside the command, after its ACL check, so a refusal there means "allowed"; but NOAUTH and
// WRONGPASS come before the ACL check and say nothing of it. On a real server the registry usually
// turns a failed AUTH into a connection error first (test/integration/actions-permissions.test.ts);
// a reply that reaches the probe itself is scripted here.
import { ReplyError, type default as Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../electron/engine/errors';
import { EngineCommands, type RunOn } from '../../electron/engine/node-commands';

const NODE = '10.0.0.1:6379';

/** EngineCommands over one client whose every command is answered `reply` (an error when it is one). */
function answering(reply: string | Error | ((args: string[]) => string | Error)): { commands: EngineCommands; sent: string[][] } {
  const sent: string[][] = [];
  const client = {
    call: (...args: string[]) => {
      sent.push(args);
      const answer = typeof reply === 'function' ? reply(args) : reply;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  } as unknown as Redis;
  // As the registry does: an error leaves run() in the console's words (classifyError).
  const runOn: RunOn = async (address, work) => {
    try {
      return await work(client);
    } catch (error) {
      throw classifyError(error, address);
    }
  };
  return { commands: new EngineCommands(runOn, () => Promise.resolve(null), () => undefined), sent };
}

describe('mayRun: the reply to a probe', () => {
  it('NOAUTH or WRONGPASS (before the ACL check) is unanswered, not allowed', async () => {
    for (const reply of ['NOAUTH Authentication required.', 'WRONGPASS invalid username-password pair or user is disabled.']) {
      const answer = await answering(new ReplyError(reply)).commands.mayRun(NODE, 'REPLICAOF', 'NO');
      expect(answer.status, reply).toBe('unanswered');
    }
  });

  it('the command\'s own refusal of the argument is allowed; NOPERM denied; unknown command disabled', async () => {
    const { commands, sent } = answering(new ReplyError('ERR Invalid master port'));
    expect(await commands.mayRun(NODE, 'REPLICAOF', 'NO')).toEqual({ status: 'allowed' });
    expect(sent).toEqual([['REPLICAOF', 'NO', 'not-a-port']]);
    expect((await answering(new ReplyError("NOPERM User admin has no permissions to run the 'replicaof' command")).commands.mayRun(NODE, 'REPLICAOF')).status).toBe('denied');
    expect((await answering(new ReplyError("ERR unknown command 'REPLICAOF', with args beginning with: ")).commands.mayRun(NODE, 'REPLICAOF')).status).toBe('disabled');
  });

  it('REPLCONF is asked once per option a replica sends (a rule can allow REPLCONF by its first argument): any refused is denied', async () => {
    const { commands, sent } = answering((args) =>
      args[1] === 'ack' ? new ReplyError("NOPERM User admin has no permissions to run the 'replconf' command") : new ReplyError('ERR syntax error'),
    );
    expect((await commands.mayRun(NODE, 'REPLCONF')).status).toBe('denied');
    expect(sent).toEqual([
      ['REPLCONF', 'listening-port'],
      ['REPLCONF', 'capa'],
      ['REPLCONF', 'ack'],
    ]);
    expect(await answering(new ReplyError('ERR syntax error')).commands.mayRun(NODE, 'REPLCONF')).toEqual({ status: 'allowed' });
  });
});
