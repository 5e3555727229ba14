// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { Bootstrap } from './bootstrap.js';
import { clusterModel, FakeApi } from './testing/fake-api.js';

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

describe('Bootstrap', () => {
  it('opens the console straight away on a server without a token', async () => {
    const api = new FakeApi().add(clusterModel('alpha'));
    render(<Bootstrap baseUrl="http://oshinko.test" fetch={api.fetch} />);
    expect(await screen.findByRole('link', { name: 'alpha' })).toBeVisible();
  });

  it('asks for the token a server requires, refuses a wrong one and keeps a right one for the tab', async () => {
    const api = new FakeApi().add(clusterModel('alpha'));
    api.token = 's3cret';
    const user = userEvent.setup();
    render(<Bootstrap baseUrl="http://oshinko.test" fetch={api.fetch} />);
    const input = await screen.findByLabelText(/Access token/);
    await user.type(input, 'wrong');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText('This token is not valid for this server.')).toBeVisible();

    await user.clear(screen.getByLabelText(/Access token/));
    await user.type(screen.getByLabelText(/Access token/), 's3cret');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByRole('link', { name: 'alpha' })).toBeVisible();
    expect(sessionStorage.getItem('oshinko-token')).toBe('s3cret');

    cleanup();
    render(<Bootstrap baseUrl="http://oshinko.test" fetch={api.fetch} />);
    expect(await screen.findByRole('link', { name: 'alpha' })).toBeVisible();
  });

  it('says so when the server cannot be reached', async () => {
    const unreachable = () => Promise.reject(new TypeError('fetch failed'));
    render(<Bootstrap baseUrl="http://oshinko.test" fetch={unreachable} />);
    expect(await screen.findByText('Cannot reach the oshinko server')).toBeVisible();
    expect(screen.getByText(/fetch failed/)).toBeVisible();
  });
});
