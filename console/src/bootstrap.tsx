import { useCallback, useEffect, useState } from 'react';
import {
  ActionGroup,
  Alert,
  Bullseye,
  Button,
  Card,
  CardBody,
  CardTitle,
  Form,
  FormGroup,
  Spinner,
  TextInput,
} from '@patternfly/react-core';
import { OshinkoClient } from '../../src/client/oshinko-client.js';
import { ApiProvider, type Api } from './api-context.js';
import { App } from './app.js';
import { errorMessage } from './shared/format.js';

const TOKEN_KEY = 'oshinko-token';

type State =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly api: Api }
  | { readonly kind: 'token'; readonly problem: string | undefined }
  | { readonly kind: 'failed'; readonly problem: string };

function isUnauthorized(error: unknown): boolean {
  return (error as { api?: { status?: number } } | undefined)?.api?.status === 401;
}

function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

async function attempt(
  baseUrl: string,
  candidate: string | undefined,
  fetchImpl: typeof fetch | undefined,
): Promise<State> {
  const client = new OshinkoClient(baseUrl, { token: candidate, fetch: fetchImpl });
  try {
    const { application } = await client.info();
    if (candidate !== undefined) sessionStorage.setItem(TOKEN_KEY, candidate);
    return { kind: 'ready', api: { client, info: application } };
  } catch (error) {
    if (!isUnauthorized(error)) return { kind: 'failed', problem: errorMessage(error) };
    sessionStorage.removeItem(TOKEN_KEY);
    return {
      kind: 'token',
      problem: candidate === undefined ? undefined : 'This token is not valid for this server.',
    };
  }
}

/**
 * Connects to the server the page came from. A server that wants a bearer token answers 401: the console then
 * asks for it and keeps it for this browser tab only (sessionStorage, never a cookie).
 */
export function Bootstrap({ baseUrl, fetch }: { baseUrl: string; fetch?: typeof globalThis.fetch }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [token, setToken] = useState('');

  const connect = useCallback(
    (candidate: string | undefined) => {
      void attempt(baseUrl, candidate, fetch).then(setState);
    },
    [baseUrl, fetch],
  );

  useEffect(() => {
    let cancelled = false;
    void attempt(baseUrl, storedToken(), fetch).then((next) => {
      if (!cancelled) setState(next);
    });
    return () => {
      cancelled = true;
    };
  }, [baseUrl, fetch]);

  if (state.kind === 'ready') {
    return (
      <ApiProvider api={state.api}>
        <App />
      </ApiProvider>
    );
  }
  if (state.kind === 'loading') {
    return (
      <Bullseye className="oshinko-fullscreen">
        <Spinner aria-label="Connecting to the oshinko server" />
      </Bullseye>
    );
  }
  if (state.kind === 'failed') {
    return (
      <Bullseye className="oshinko-fullscreen">
        <Alert
          variant="danger"
          title="Cannot reach the oshinko server"
          actionLinks={
            <Button
              variant="link"
              isInline
              onClick={() => {
                connect(storedToken());
              }}
            >
              Try again
            </Button>
          }
        >
          {state.problem}
        </Alert>
      </Bullseye>
    );
  }
  return (
    <Bullseye className="oshinko-fullscreen">
      <Card className="oshinko-token-card">
        <CardTitle component="h1">oshinko needs an access token</CardTitle>
        <CardBody>
          <Form
            onSubmit={(event) => {
              event.preventDefault();
              connect(token.trim());
            }}
          >
            {state.problem !== undefined && <Alert variant="danger" isInline isPlain title={state.problem} />}
            <FormGroup label="Access token" isRequired fieldId="oshinko-token">
              <TextInput
                id="oshinko-token"
                type="password"
                isRequired
                autoFocus
                value={token}
                data-test="token-input"
                onChange={(_event, value) => {
                  setToken(value);
                }}
              />
            </FormGroup>
            <ActionGroup>
              <Button type="submit" isDisabled={token.trim() === ''} data-test="token-submit">
                Connect
              </Button>
            </ActionGroup>
          </Form>
        </CardBody>
      </Card>
    </Bullseye>
  );
}
