# Bash completion for neuro-align: commands and each command's options, from the tool itself
# (neuro-align "[suggest:POSITION]" "LINE"); file names where it offers nothing.
# Use: source scripts/neuro-align-completion.bash (e.g. from ~/.bashrc), or copy it to
# /etc/bash_completion.d/neuro-align.
_neuro_align_complete() {
  local IFS=$'\n'
  local offered
  offered=$(neuro-align "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) || return 0
  COMPREPLY=($(compgen -W "${offered}" -- "${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _neuro_align_complete neuro-align
