/**
 * The scripts `spoolctl completion bash|zsh|fish` prints. Each hands the words typed so far
 * to `spoolctl __complete`, which knows the commands, so the scripts never change when a
 * command is added; an empty answer falls back to the shell's file name completion.
 */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const SCRIPTS: Record<Shell, string> = {
  bash: `# spoolctl completion for bash: \`source <(spoolctl completion bash)\` in ~/.bashrc, or save
# it as /etc/bash_completion.d/spoolctl.
_spoolctl() {
  local IFS=$'\\n'
  COMPREPLY=($(compgen -W "$(spoolctl __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _spoolctl spoolctl
`,
  zsh: `#compdef spoolctl
# spoolctl completion for zsh: \`source <(spoolctl completion zsh)\` in ~/.zshrc after compinit,
# or save it as _spoolctl in a directory of $fpath.
_spoolctl() {
  local -a found
  found=(\${(f)"$(spoolctl __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)"})
  if (( \${#found} )); then compadd -a found; else _files; fi
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then _spoolctl "$@"; else compdef _spoolctl spoolctl; fi
`,
  fish: `# spoolctl completion for fish: save it as ~/.config/fish/completions/spoolctl.fish.
function __spoolctl_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l found (spoolctl __complete -- $words[2..-1] 2>/dev/null)
    if set -q found[1]
        printf '%s\\n' $found
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c spoolctl -f -a '(__spoolctl_complete)'
`,
};

export function completionScript(shell: Shell): string {
  return SCRIPTS[shell];
}
