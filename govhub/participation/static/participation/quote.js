// Select a passage of the draft and press 对选中内容提意见: the comment form is set to that
// paragraph with the passage quoted. A static file: the page runs under a content security policy.
(function(){
  var btn=document.getElementById('quote-btn'),draft=document.getElementById('draft');
  var sel=document.getElementById('id_paragraph'),quote=document.getElementById('id_quote'),shown=document.getElementById('quote-shown');
  var picked=null;
  function paraOf(node){while(node&&node!==draft){if(node.dataset&&node.dataset.para)return node;node=node.parentNode;}return null;}
  document.addEventListener('selectionchange',function(){
    var s=window.getSelection();if(!s||s.isCollapsed){return;}
    var p=paraOf(s.anchorNode);
    if(p&&p===paraOf(s.focusNode)){picked={p:p,text:s.toString().trim().slice(0,300)};btn.style.display=picked.text?'block':'none';}
    else{btn.style.display='none';}
  });
  btn.addEventListener('click',function(){
    if(!picked)return;
    sel.value=picked.p.dataset.para;quote.value=picked.text;
    shown.hidden=false;shown.querySelector('q').textContent=picked.text;
    document.querySelectorAll('#draft .para.sel').forEach(function(e){e.classList.remove('sel');});
    picked.p.classList.add('sel');btn.style.display='none';
    document.getElementById('comment-form').scrollIntoView();document.getElementById('id_text').focus();
  });
})();
