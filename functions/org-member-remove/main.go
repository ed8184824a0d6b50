// Command org-member-remove is the Lambda function of the portal route "org-member-remove".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-member-remove") }
