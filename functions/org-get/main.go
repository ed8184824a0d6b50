// Command org-get is the Lambda function of the portal route "org-get".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-get") }
